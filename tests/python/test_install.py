# SPDX-License-Identifier: MIT
"""`cmake --install` puts the package where Debian's /usr/bin/python3 finds
it under the prefix, and it imports and answers from there."""
import glob
import os
import subprocess
import sys

from conftest import BIN


def test_cmake_install_puts_an_importable_package(tmp_path, day):
    prefix = str(tmp_path / "prefix")
    subprocess.run(["cmake", "--install", BIN, "--prefix", prefix], check=True,
                   capture_output=True, timeout=120)
    found = glob.glob(os.path.join(prefix, "lib", "python3*", "dist-packages", "gputick",
                                   "__init__.py"))
    assert len(found) == 1, os.listdir(os.path.join(prefix, "lib"))
    site = os.path.dirname(os.path.dirname(found[0]))
    # /usr/bin/python3 reads <prefix>/lib/python3.X/dist-packages for /usr/local
    assert os.path.basename(os.path.dirname(site)) == "python%d.%d" % sys.version_info[:2]
    env = dict(os.environ, PYTHONPATH=site)
    out = subprocess.run(["/usr/bin/python3", "-c",
                          "import gputick, sys; print(gputick.__file__); "
                          "print(len(gputick.Store(sys.argv[1]).bars('H100Z6', '1h')))",
                          day["db"]], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    path, n = out.stdout.split()
    assert path.startswith(prefix) and int(n) > 5
