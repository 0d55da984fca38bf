"""Isolation for tests that run real rclpy processes over real DDS on this machine.

Each test gets its own ROS_DOMAIN_ID (claimed with a file lock, so concurrent pytest runs on one machine
never share a domain), discovery limited to localhost, and on teardown its processes are stopped and the
Fast DDS shared-memory files they left in /dev/shm are removed.
"""
from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# tools/ros_env.sh names the install of the ROS 2 distribution under test (Kilted or Jazzy).
INSTALL = Path(os.environ.get("LLAMO_ROS_INSTALL", REPO / "ros_ws" / "install"))
FASTDDS_PROFILE = REPO / "launch" / "fastdds_profile.xml"
_LOCK_DIR = Path(os.environ.get("TMPDIR", "/tmp")) / "llamo_ros_domain_locks"
_SHM = Path("/dev/shm")
# Domain ids 1..100 keep Fast DDS's port numbers inside the unprivileged range with room for participants.
_DOMAIN_IDS = range(1, 101)


def claim_domain_id() -> tuple[int, int]:
    """Lock a free ROS domain id for this process; returns (domain_id, lock_fd)."""
    _LOCK_DIR.mkdir(parents=True, exist_ok=True)
    start = os.getpid() % len(_DOMAIN_IDS)
    for k in range(len(_DOMAIN_IDS)):
        domain = _DOMAIN_IDS[(start + k) % len(_DOMAIN_IDS)]
        fd = os.open(_LOCK_DIR / f"{domain}.lock", os.O_CREAT | os.O_RDWR, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return domain, fd
        except BlockingIOError:
            os.close(fd)
    raise RuntimeError("no free ROS domain id in 1..100")


def workspace_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """`source ros_ws/install/setup.bash` as environment variables: the built llamo_msgs and llamo_ros."""
    env = dict(os.environ if base is None else base)
    py = f"python{sys.version_info.major}.{sys.version_info.minor}"
    pythonpath, libpath, prefixes = [], [], []
    for pkg in ("llamo_msgs", "llamo_ros"):
        prefix = INSTALL / pkg
        if not prefix.is_dir():
            raise RuntimeError(f"{prefix} missing: run `make setup` (colcon build of ros_ws) first")
        prefixes.append(str(prefix))
        pythonpath.append(str(prefix / "lib" / py / "site-packages"))
        libpath.append(str(prefix / "lib"))
    # The source tree goes first so tests exercise the working copy of llamo_ros, not a stale install.
    pythonpath.insert(0, str(REPO / "ros_ws" / "src" / "llamo_ros"))
    env["PYTHONPATH"] = os.pathsep.join(pythonpath + [p for p in [env.get("PYTHONPATH")] if p])
    env["LD_LIBRARY_PATH"] = os.pathsep.join(libpath + [p for p in [env.get("LD_LIBRARY_PATH")] if p])
    env["AMENT_PREFIX_PATH"] = os.pathsep.join(prefixes + [sys.prefix])
    return env


def _shm_files() -> set[str]:
    return {p.name for p in _SHM.iterdir() if p.name.startswith(("fastrtps_", "fastdds_", "sem.fastrtps_"))} \
        if _SHM.is_dir() else set()


def _shm_files_in_use() -> set[str]:
    """Names of /dev/shm files that some live process maps or holds open."""
    used: set[str] = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for line in (proc / "maps").read_text().splitlines():
                if "/dev/shm/" in line:
                    used.add(line.rsplit("/", 1)[-1].replace(" (deleted)", ""))
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("/dev/shm/"):
                    used.add(target.rsplit("/", 1)[-1])
        except (OSError, PermissionError):
            continue
    return used


class RosTestGraph:
    """One test's ROS graph: environment, child processes and cleanup."""

    def __init__(self) -> None:
        self.domain_id, self._lock_fd = claim_domain_id()
        self.env = workspace_env()
        self.env.update(ROS_DOMAIN_ID=str(self.domain_id), ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST",
                        FASTDDS_DEFAULT_PROFILES_FILE=str(FASTDDS_PROFILE), PYTHONUNBUFFERED="1",
                        # Fast DDS 2.x (ROS 2 Jazzy) reads the profile from the older variable name
                        FASTRTPS_DEFAULT_PROFILES_FILE=str(FASTDDS_PROFILE),
                        PYTHONFAULTHANDLER="1",   # a child that hangs at stop() dumps its threads' stacks
                        RCUTILS_COLORIZED_OUTPUT="0")
        self.processes: list[subprocess.Popen] = []
        self._shm_before = _shm_files()

    def spawn(self, *args: str, log_name: str | None = None, log_dir: Path | None = None) -> subprocess.Popen:
        """Start `python args...` in this graph's environment; output goes to a log file when given."""
        out = open(log_dir / f"{log_name}.log", "w") if log_dir and log_name else subprocess.DEVNULL
        proc = subprocess.Popen([sys.executable, *args], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.processes.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen, sig: int = signal.SIGINT, timeout: float = 10.0) -> int:
        """Signal a child and wait; escalates to SIGKILL after `timeout` seconds. Returns its exit code."""
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGABRT)   # faulthandler writes every thread's stack into its log
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    pass
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
        return proc.returncode

    def close(self) -> None:
        for proc in self.processes:
            self.stop(proc)
        leftovers = _shm_files() - self._shm_before
        if leftovers:
            in_use = _shm_files_in_use()
            for name in leftovers - in_use:
                try:
                    (_SHM / name).unlink()
                except OSError:
                    pass
        os.close(self._lock_fd)


def wait_until(predicate, timeout: float, interval: float = 0.05, spin=None) -> bool:
    """Poll `predicate` (spinning `spin()` between polls) until it is true or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if spin is not None:
            spin()
        if predicate():
            return True
        if spin is None:
            time.sleep(interval)
    return bool(predicate())
