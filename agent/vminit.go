package main

// `stacyvm-agent init`: PID 1 of a microVM sandbox (docs/providers.md "microvm"). The initramfs
// (deploy/microvm/init) mounts the sandbox's disk and switches to it; this then mounts what a
// sandbox needs, links the worker to the guest over the virtio-serial port named "stacyvm"
// (vmlink.go), and starts `serve` only once the worker has sent the sandbox's identity: its
// token, environment, user, clock and entropy. A template's snapshot is taken before that, so no
// secret and nothing of the image has run in it, and every clone gets its own.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// The paths of a guest, and the port's name the worker gives QEMU (`virtserialport,name=...`).
const (
	guestPortName   = "stacyvm"
	guestRunDir     = "/.stacyvm/run"
	guestSocket     = guestRunDir + "/agent.sock"
	guestWorkspace  = "/workspace"
	guestCgroupRoot = "/sys/fs/cgroup"
	guestCgroup     = guestCgroupRoot + "/sandbox"
	guestDisk       = "/dev/vda"
	virtioPorts     = "/sys/class/virtio-ports"
)

// guestIdentity is what the worker sends once per sandbox (IDENTITY), as JSON.
type guestIdentity struct {
	// Token is the agent's 64 hex digits, handed to serve over a pipe
	Token string `json:"token"`
	// Env is the sandbox's environment (the image's, the create's, its id), NAME=value
	Env []string `json:"env"`
	// UID and GID are the sandbox's user (0 only for templates allowed to run as root)
	UID int `json:"uid"`
	GID int `json:"gid"`
	// Hostname is the sandbox's id
	Hostname string `json:"hostname"`
	// TimeUnixNano is the host's clock when sent: a restored snapshot's clock is the template's
	TimeUnixNano int64 `json:"time_unix_nano"`
	// Seed is 64 random bytes from the host, mixed into the guest's pool: clones of one snapshot
	// share its pool, and must not share their randomness
	Seed []byte `json:"seed"`
	// PidsMax bounds the sandbox's processes (its cgroup's pids.max); 0 for none
	PidsMax int `json:"pids_max"`
	// DiskMb bounds what the sandbox user may write to the disk (its user quota), MiB; 0 for none.
	// Root (a template allowed to run as root) is not held by quotas: its disk's free space bounds it
	DiskMb int `json:"disk_mb"`
}

// guest is PID 1's state: whether the identity was taken, and serve's pid once started.
type guest struct {
	mu        sync.Mutex
	identity  *guestIdentity
	servePid  int
	console   *os.File
	serveDone chan struct{}
}

// runInit is `stacyvm-agent init`. It never returns while the guest runs: when serve ends, the
// guest powers off (QEMU runs with -no-reboot, so a restart ends it).
func runInit(stderr io.Writer) int {
	if os.Getpid() != 1 {
		fmt.Fprintln(stderr, "stacyvm-agent init: only a microVM's PID 1 runs this")
		return exitUsage
	}
	g := &guest{console: os.Stdout, serveDone: make(chan struct{})}
	if err := mountGuest(); err != nil {
		g.say("cannot prepare the guest: %v", err)
		powerOff()
	}
	if err := loopbackUp(); err != nil {
		g.say("no loopback: %v", err)
	}
	go g.reap()
	port, err := openPort(virtioPorts, 5*time.Second)
	if err != nil {
		g.say("no link to the worker: %v", err)
		powerOff()
	}
	go func() {
		<-g.serveDone
		g.say("the agent ended: powering off")
		powerOff()
	}()
	runGuestLink(port, func() (net.Conn, error) { return net.Dial("unix", guestSocket) },
		g.takeIdentity, g.identified, func() { time.Sleep(50 * time.Millisecond) })
	powerOff()
	return 0
}

// say writes one line to the console, which the worker keeps as the sandbox's log.
func (g *guest) say(format string, args ...interface{}) {
	fmt.Fprintf(g.console, "stacyvm-agent init: "+format+"\n", args...)
}

// mountGuest mounts the kernel's filesystems, a run folder for serve's socket, and the cgroup the
// sandbox's processes go into. The initramfs moved /dev (devtmpfs) here already.
func mountGuest() error {
	mounts := []struct {
		source, target, fstype string
		flags                  uintptr
		data                   string
		mode                   os.FileMode
	}{
		{"proc", "/proc", "proc", syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_NOEXEC, "", 0o555},
		{"sysfs", "/sys", "sysfs", syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_NOEXEC, "", 0o555},
		{"devpts", "/dev/pts", "devpts", syscall.MS_NOSUID | syscall.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620", 0o755},
		{"shm", "/dev/shm", "tmpfs", syscall.MS_NOSUID | syscall.MS_NODEV, "mode=1777", 0o1777},
		{"run", guestRunDir, "tmpfs", syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_NOEXEC, "mode=0755", 0o755},
		{"cgroup2", guestCgroupRoot, "cgroup2", syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_NOEXEC, "", 0o555},
	}
	for _, m := range mounts {
		if err := os.MkdirAll(m.target, m.mode); err != nil {
			return fmt.Errorf("mkdir %s: %v", m.target, err)
		}
		if err := syscall.Mount(m.source, m.target, m.fstype, m.flags, m.data); err != nil {
			return fmt.Errorf("mount %s: %v", m.target, err)
		}
	}
	// the ptmx of the new devpts instance, where programs open it
	os.Remove("/dev/ptmx")
	if err := os.Symlink("pts/ptmx", "/dev/ptmx"); err != nil {
		return fmt.Errorf("/dev/ptmx: %v", err)
	}
	if err := os.WriteFile(guestCgroupRoot+"/cgroup.subtree_control", []byte("+pids +memory"), 0); err != nil {
		return fmt.Errorf("cgroup controllers: %v", err)
	}
	if err := os.Mkdir(guestCgroup, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("the sandbox's cgroup: %v", err)
	}
	return nil
}

// ifreqFlags is the kernel's struct ifreq as SIOCGIFFLAGS and SIOCSIFFLAGS read it.
type ifreqFlags struct {
	name  [16]byte
	flags uint16
	_     [22]byte
}

// loopbackUp brings up lo: a sandbox's programs talk to themselves over it (a server and its
// tests); the guest has no other interface.
func loopbackUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	var request ifreqFlags
	copy(request.name[:], "lo")
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCGIFFLAGS, uintptr(unsafe.Pointer(&request))); errno != 0 {
		return errno
	}
	request.flags |= syscall.IFF_UP | syscall.IFF_RUNNING
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCSIFFLAGS, uintptr(unsafe.Pointer(&request))); errno != 0 {
		return errno
	}
	return nil
}

// openPort opens the virtio-serial port named "stacyvm" (its name is in sysfs; there is no udev
// to make a by-name link), waiting up to wait for the driver to find it. A port can be open once.
func openPort(sysfs string, wait time.Duration) (*os.File, error) {
	deadline := time.Now().Add(wait)
	for {
		device, err := findPort(sysfs, guestPortName)
		if err == nil {
			return os.OpenFile("/dev/"+device, os.O_RDWR, 0)
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// findPort answers the device name (vportNpM) of the port called name under a sysfs
// virtio-ports folder.
func findPort(sysfs, name string) (string, error) {
	entries, err := os.ReadDir(sysfs)
	if err != nil {
		return "", fmt.Errorf("no virtio ports: %v", err)
	}
	for _, entry := range entries {
		data, err := os.ReadFile(filepath.Join(sysfs, entry.Name(), "name"))
		if err == nil && strings.TrimSpace(string(data)) == name {
			return entry.Name(), nil
		}
	}
	return "", fmt.Errorf("no virtio port named %s", name)
}

// parseIdentity reads and checks an IDENTITY payload.
func parseIdentity(payload []byte) (*guestIdentity, error) {
	var identity guestIdentity
	if err := json.Unmarshal(payload, &identity); err != nil {
		return nil, fmt.Errorf("identity: %v", err)
	}
	if len(identity.Token) != tokenLength || !isHex(identity.Token) {
		return nil, errors.New("identity: the token is not 64 hex digits")
	}
	if identity.UID < 0 || identity.GID < 0 || identity.PidsMax < 0 || identity.DiskMb < 0 {
		return nil, errors.New("identity: negative user, group, process or disk limit")
	}
	if len(identity.Seed) < 32 {
		return nil, errors.New("identity: a seed of at least 32 bytes is needed")
	}
	if identity.Hostname == "" || len(identity.Hostname) > 64 {
		return nil, errors.New("identity: the hostname must be 1 to 64 bytes")
	}
	for i, entry := range identity.Env {
		if !strings.Contains(entry, "=") || strings.ContainsRune(entry, 0) {
			// by position, never the entry: its value may be a secret, and the reason reaches logs
			return nil, fmt.Errorf("identity: env entry %d is not NAME=value", i)
		}
	}
	return &identity, nil
}

// identified says whether the identity was taken (READY's payload after a host reconnects).
func (g *guest) identified() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.identity != nil
}

// takeIdentity applies the sandbox's identity and starts serve with it; it answers once serve
// listens. Called by the link once per guest.
func (g *guest) takeIdentity(payload []byte) error {
	identity, err := parseIdentity(payload)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.identity != nil {
		return errors.New("identity already set")
	}
	now := syscall.NsecToTimeval(identity.TimeUnixNano)
	if err := syscall.Settimeofday(&now); err != nil {
		return fmt.Errorf("cannot set the clock: %v", err)
	}
	if err := addEntropy(identity.Seed); err != nil {
		return fmt.Errorf("cannot seed the random pool: %v", err)
	}
	if err := syscall.Sethostname([]byte(identity.Hostname)); err != nil {
		return fmt.Errorf("cannot set the hostname: %v", err)
	}
	if identity.PidsMax > 0 {
		if err := os.WriteFile(guestCgroup+"/pids.max", []byte(strconv.Itoa(identity.PidsMax)), 0); err != nil {
			return fmt.Errorf("cannot limit processes: %v", err)
		}
	}
	if identity.DiskMb > 0 && identity.UID != 0 {
		if err := limitDisk(guestDisk, identity.UID, identity.DiskMb); err != nil {
			return fmt.Errorf("cannot limit the disk: %v", err)
		}
	}
	for _, folder := range []string{guestRunDir, guestWorkspace} {
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return fmt.Errorf("%s: %v", folder, err)
		}
		if err := os.Lchown(folder, identity.UID, identity.GID); err != nil {
			return fmt.Errorf("%s: %v", folder, err)
		}
	}
	pid, err := g.startServe(identity)
	if err != nil {
		return err
	}
	g.identity = identity
	g.servePid = pid
	if err := awaitSocket(guestSocket, 20*time.Second); err != nil {
		return err
	}
	// serve made its socket; the folder goes back to root before anything of the sandbox's runs
	// (the worker connects only after this answers), so no sandbox process can replace the socket
	// with one of its own and sit between the worker and the agent
	if err := os.Lchown(guestRunDir, 0, 0); err != nil {
		return fmt.Errorf("%s: %v", guestRunDir, err)
	}
	return os.Chmod(guestRunDir, 0o755)
}

// Capability and privilege controls of prctl(2).
const (
	prSetNoNewPrivs = 38
	prCapbsetDrop   = 24
	lastCapability  = 40 // CAP_CHECKPOINT_RESTORE, the last in 6.1
)

// confineChildren makes whatever init starts from now on unable to gain privileges: no setuid or
// file capabilities ever take effect (no_new_privs, inherited by every process of the sandbox),
// and a root sandbox's processes start with no capability at all (the bounding set emptied; init
// keeps the ones it holds, which it needs only to power off). As Docker's no-new-privileges and
// dropped capabilities do for a container.
func confineChildren() error {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0); errno != 0 {
		return fmt.Errorf("no_new_privs: %v", errno)
	}
	for capability := 0; capability <= lastCapability; capability++ {
		if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prCapbsetDrop, uintptr(capability), 0); errno != 0 && errno != syscall.EINVAL {
			return fmt.Errorf("dropping capability %d: %v", capability, errno)
		}
	}
	return nil
}

// ifDqblk is the kernel's struct if_dqblk (quotactl(2)).
type ifDqblk struct {
	bhardlimit, bsoftlimit, curspace, ihardlimit, isoftlimit, curinodes, btime, itime uint64
	valid                                                                             uint32
	_                                                                                 uint32
}

// limitDisk sets uid's block quota on device to mb MiB, soft and hard alike (quotactl(2):
// Q_SETQUOTA with QIF_BLIMITS, limits in 1 KiB blocks). A write past it fails with EDQUOT, which
// the agent's files answer as "disk full".
func limitDisk(device string, uid, mb int) error {
	const qSetQuota, usrQuota, qifBlimits = 0x800008, 0, 1
	path, err := syscall.BytePtrFromString(device)
	if err != nil {
		return err
	}
	limit := ifDqblk{bhardlimit: uint64(mb) * 1024, bsoftlimit: uint64(mb) * 1024, valid: qifBlimits}
	command := uintptr(qSetQuota<<8 | usrQuota)
	if _, _, errno := syscall.Syscall6(syscall.SYS_QUOTACTL, command, uintptr(unsafe.Pointer(path)), uintptr(uid),
		uintptr(unsafe.Pointer(&limit)), 0, 0); errno != 0 {
		return errno
	}
	return nil
}

// addEntropy mixes seed into the kernel's pool, credited, and reseeds the CRNG at once
// (random(4): RNDADDENTROPY, RNDRESEEDCRNG).
func addEntropy(seed []byte) error {
	const rndAddEntropy, rndReseedCrng = 0x40085203, 0x5207
	file, err := os.OpenFile("/dev/urandom", os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer file.Close()
	// struct rand_pool_info { int entropy_count; int buf_size; __u32 buf[]; }
	info := make([]byte, 8+len(seed))
	*(*int32)(unsafe.Pointer(&info[0])) = int32(len(seed) * 8)
	*(*int32)(unsafe.Pointer(&info[4])) = int32(len(seed))
	copy(info[8:], seed)
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, file.Fd(), rndAddEntropy, uintptr(unsafe.Pointer(&info[0]))); errno != 0 {
		return errno
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, file.Fd(), rndReseedCrng, 0); errno != 0 {
		return errno
	}
	return nil
}

// startServe starts `serve` as the sandbox's user in the sandbox's cgroup, its token on fd 3
// through a pipe (never on a disk), its output on the console. PID 1 reaps every child itself
// (reap), so serve is started with ForkExec rather than os/exec, whose Wait would race it.
func (g *guest) startServe(identity *guestIdentity) (int, error) {
	reader, writer, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer reader.Close()
	defer writer.Close()
	null, err := os.Open("/dev/null")
	if err != nil {
		return 0, err
	}
	defer null.Close()
	if err := confineChildren(); err != nil {
		return 0, err
	}
	// children are born in their parent's cgroup: PID 1 steps into the sandbox's for the fork
	// and back out, so serve and all it starts are limited from their first instruction
	if err := os.WriteFile(guestCgroup+"/cgroup.procs", []byte("1"), 0); err != nil {
		return 0, fmt.Errorf("cannot enter the sandbox's cgroup: %v", err)
	}
	pid, forkErr := syscall.ForkExec(MountedPath, []string{MountedPath, "serve", "--socket", guestSocket, "--token-fd", "3"},
		&syscall.ProcAttr{
			Dir:   guestWorkspace,
			Env:   identity.Env,
			Files: []uintptr{null.Fd(), g.console.Fd(), g.console.Fd(), reader.Fd()},
			Sys: &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(identity.UID), Gid: uint32(identity.GID), Groups: []uint32{}},
				Setsid: true},
		})
	if err := os.WriteFile(guestCgroupRoot+"/cgroup.procs", []byte("1"), 0); err != nil {
		g.say("cannot leave the sandbox's cgroup: %v", err)
	}
	if forkErr != nil {
		return 0, fmt.Errorf("cannot start the agent: %v", forkErr)
	}
	if _, err := writer.WriteString(identity.Token + "\n"); err != nil {
		return 0, fmt.Errorf("cannot hand the agent its token: %v", err)
	}
	return pid, nil
}

// awaitSocket waits until something accepts on the socket, at most wait.
func awaitSocket(path string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		conn, err := net.Dial("unix", path)
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the agent did not listen within %v: %v", wait, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// reap waits for every child: PID 1 inherits every orphan of the guest. When serve is gone the
// sandbox is over.
func (g *guest) reap() {
	defer survive("the reaper")
	children := make(chan os.Signal, 16)
	signal.Notify(children, syscall.SIGCHLD)
	for range children {
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if err != nil || pid <= 0 {
				break
			}
			g.mu.Lock()
			serve := g.servePid
			g.mu.Unlock()
			if pid == serve {
				close(g.serveDone)
			}
		}
	}
}

// powerOff flushes the disk and ends the guest: a restart, which -no-reboot turns into QEMU's exit.
func powerOff() {
	syscall.Sync()
	syscall.Reboot(syscall.LINUX_REBOOT_CMD_RESTART)
	select {}
}
