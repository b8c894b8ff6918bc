package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInitFindsThePortByItsNameInSysfs(t *testing.T) {
	sysfs := t.TempDir()
	for device, name := range map[string]string{"vport0p1": "other", "vport1p1": "stacyvm\n", "vport2p1": "stacyvm-not"} {
		os.MkdirAll(filepath.Join(sysfs, device), 0o755)
		os.WriteFile(filepath.Join(sysfs, device, "name"), []byte(name), 0o644)
	}
	device, err := findPort(sysfs, guestPortName)
	if err != nil || device != "vport1p1" {
		t.Fatalf("found %q, %v", device, err)
	}
	if _, err := findPort(sysfs, "absent"); err == nil {
		t.Fatal("found a port nobody named")
	}
	if _, err := findPort(filepath.Join(sysfs, "none"), guestPortName); err == nil {
		t.Fatal("found a port without sysfs")
	}
}

func TestInitTakesOnlyAWellFormedIdentity(t *testing.T) {
	good := guestIdentity{Token: testToken, Env: []string{"PATH=/bin", "EMPTY="}, UID: 1000, GID: 1000, Hostname: "sb-1",
		TimeUnixNano: 1, Seed: make([]byte, 64), PidsMax: 128}
	encode := func(change func(*guestIdentity)) []byte {
		identity := good
		identity.Env = append([]string(nil), good.Env...)
		change(&identity)
		data, _ := json.Marshal(identity)
		return data
	}
	identity, err := parseIdentity(encode(func(*guestIdentity) {}))
	if err != nil || identity.UID != 1000 || len(identity.Seed) != 64 || identity.Hostname != "sb-1" {
		t.Fatalf("%+v %v", identity, err)
	}
	for what, change := range map[string]func(*guestIdentity){
		"short token":     func(i *guestIdentity) { i.Token = "abc" },
		"non-hex token":   func(i *guestIdentity) { i.Token = strings.Repeat("g", 64) },
		"negative uid":    func(i *guestIdentity) { i.UID = -1 },
		"negative pids":   func(i *guestIdentity) { i.PidsMax = -1 },
		"negative disk":   func(i *guestIdentity) { i.DiskMb = -1 },
		"short seed":      func(i *guestIdentity) { i.Seed = make([]byte, 8) },
		"no hostname":     func(i *guestIdentity) { i.Hostname = "" },
		"long hostname":   func(i *guestIdentity) { i.Hostname = strings.Repeat("h", 65) },
		"env without =":   func(i *guestIdentity) { i.Env = append(i.Env, "NOEQUALS") },
		"env with a zero": func(i *guestIdentity) { i.Env = append(i.Env, "A=b\x00c") },
	} {
		if _, err := parseIdentity(encode(change)); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
	// a refused entry is named by position: its value may be a secret, and the reason is logged
	_, err = parseIdentity(encode(func(i *guestIdentity) { i.Env = append(i.Env, "SECRETVALUE") }))
	if err == nil || strings.Contains(err.Error(), "SECRETVALUE") {
		t.Errorf("the refusal shows the entry: %v", err)
	}
	if _, err := parseIdentity([]byte("{not json")); err == nil {
		t.Error("accepted garbage")
	}
}
