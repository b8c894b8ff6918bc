package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Bounds of one listing, so its answer stays small whatever the sandbox runs.
const (
	maxListed      = 1000
	maxCommandLine = 1024
	clockTicks     = 100 // USER_HZ: 100 on every Linux architecture StacyVM runs on
)

// processInfo is one process as `stacyvm-agent ps` lists it.
type processInfo struct {
	Pid       int    `json:"pid"`
	Ppid      int    `json:"ppid"`
	User      string `json:"user"`
	Command   string `json:"command"`
	State     string `json:"state"`
	StartedAt string `json:"started_at"`
	RssBytes  int64  `json:"rss_bytes"`
	Agent     bool   `json:"agent,omitempty"`
}

// processList is the whole answer: the processes, oldest first, and whether some were left out.
type processList struct {
	Processes []processInfo `json:"processes"`
	Truncated bool          `json:"truncated"`
}

// listProcesses writes every process of the sandbox (but the listing itself) as JSON.
func listProcesses(root string, stdout io.Writer, stderr io.Writer) int {
	list := collectProcesses(root, os.Getpid(), bootTime(root), userNames("/etc/passwd"))
	if err := json.NewEncoder(stdout).Encode(list); err != nil {
		fmt.Fprintf(stderr, "stacyvm-agent ps: %v\n", err)
		return 1
	}
	return 0
}

func collectProcesses(root string, self int, booted time.Time, names map[int]string) processList {
	list := processList{Processes: []processInfo{}}
	all := pids(root)
	sort.Ints(all)
	pageSize := int64(os.Getpagesize())
	for _, pid := range all {
		if pid == self {
			continue
		}
		stat, err := readStat(root, pid)
		if err != nil {
			continue // ended while listed
		}
		if len(list.Processes) >= maxListed {
			list.Truncated = true
			break
		}
		argv := cmdline(root, pid)
		command := strings.Join(argv, " ")
		if command == "" {
			command = "[" + stat.comm + "]"
		}
		if len(command) > maxCommandLine {
			command = command[:maxCommandLine]
		}
		uid := ownerOf(root, pid)
		user, known := names[uid]
		if !known {
			user = strconv.Itoa(uid)
		}
		started := booted.Add(time.Duration(stat.startTick) * time.Second / clockTicks)
		list.Processes = append(list.Processes, processInfo{
			Pid: pid, Ppid: stat.ppid, User: user, Command: command, State: stat.state,
			StartedAt: started.UTC().Format(time.RFC3339), RssBytes: stat.rssPages * pageSize, Agent: runsTheAgent(root, pid) && isAgent(argv),
		})
	}
	return list
}

// ownerOf answers a process's real user id, from its status file (-1 when unreadable).
func ownerOf(root string, pid int) int {
	file, err := os.Open(filepath.Join(root, strconv.Itoa(pid), "status"))
	if err != nil {
		return -1
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		if fields := strings.Fields(scanner.Text()); len(fields) >= 2 && fields[0] == "Uid:" {
			uid, _ := strconv.Atoi(fields[1])
			return uid
		}
	}
	return -1
}

// bootTime is when the kernel started, from /proc/stat's btime.
func bootTime(root string) time.Time {
	data, err := os.ReadFile(filepath.Join(root, "stat"))
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "btime ") {
				if seconds, err := strconv.ParseInt(strings.TrimSpace(line[6:]), 10, 64); err == nil {
					return time.Unix(seconds, 0)
				}
			}
		}
	}
	return time.Unix(0, 0)
}

// userNames reads the image's user table; a uid it lacks is shown as its number.
func userNames(passwd string) map[int]string {
	names := make(map[int]string)
	data, err := os.ReadFile(passwd)
	if err != nil {
		return names
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Split(line, ":")
		if len(fields) >= 3 {
			if uid, err := strconv.Atoi(fields[2]); err == nil {
				if _, seen := names[uid]; !seen {
					names[uid] = fields[0]
				}
			}
		}
	}
	return names
}
