"""New directories are durable: after `stratadb start` creates <data>/raft, <data>/lsm and
<data>/snap, it fsyncs <data> (their parent) before going on. Without that, a power loss can
forget a directory whose files were synced, and with it the Raft log or the engine.

Checked on the real binary with strace: each mkdir of those directories is followed, in the
same thread, by an open of the parent directory and an fsync of that descriptor.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

from harness import Server


class DirSyncTest(unittest.TestCase):
    def test_new_directories_are_synced_in_their_parent(self):
        if shutil.which("strace") is None:
            self.skipTest("strace is not installed")
        trace = os.path.join(tempfile.mkdtemp(prefix="stratadb-strace-"), "trace")
        env = {}
        if "ASAN_OPTIONS" in os.environ:
            # LeakSanitizer cannot run under ptrace; the ASan tree's other tests check leaks.
            env["ASAN_OPTIONS"] = os.environ["ASAN_OPTIONS"] + ":detect_leaks=0"
        server = Server(env=env)
        real_args = server.args

        def traced_args():
            return ["strace", "-f", "-qq", "-o", trace, "-e", "trace=mkdir,mkdirat,openat,open,fsync,close"] + real_args()

        server.args = traced_args

        def traced_children():
            pid = server.proc.pid
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as f:
                    return [int(c) for c in f.read().split()]
            except OSError:
                return []

        try:
            server.start()
            # Stop the traced process itself (strace exits with it).
            children = traced_children()
            self.assertEqual(len(children), 1, children)
            os.kill(children[0], signal.SIGTERM)
            server.proc.wait(timeout=30)
        finally:
            # Killing strace would detach, not kill, the server: kill the server first.
            if server.proc is not None and server.proc.poll() is None:
                for child in traced_children():
                    os.kill(child, signal.SIGKILL)
            server.cleanup()
        with open(trace) as f:
            lines = f.read().splitlines()
        shutil.rmtree(os.path.dirname(trace), ignore_errors=True)
        parent = server.data_dir.rstrip("/")
        for sub in ("raft", "lsm", "snap"):
            path = f"{parent}/{sub}"
            made = [i for i, l in enumerate(lines)
                    if re.search(r'mkdir(at)?\(.*"' + re.escape(path) + r'".*\)\s+=\s+0', l)]
            self.assertTrue(made, f"no mkdir of {path} in the trace")
            i = made[-1]
            pid = lines[i].split()[0]
            synced = False
            fd = None
            for l in lines[i + 1:]:
                if l.split()[0] != pid:
                    continue
                m = re.search(r'open(at)?\(.*"' + re.escape(parent) + r'/?", [^)]*O_DIRECTORY[^)]*\)\s+=\s+(\d+)', l)
                if m:
                    fd = m.group(2)
                elif fd is not None and re.search(rf"fsync\({fd}\)\s+=\s+0", l):
                    synced = True
                    break
            self.assertTrue(synced, f"{path} was created but {parent} was not fsynced after it")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
