"""The candidate Rasa's and the training's command: at the studio's niceness, whatever the caller's."""
import os
import subprocess
import sys

from bot.studio.candidate import NICENESS, niced


def test_a_niced_command_runs_at_the_studio_niceness():
    ran = subprocess.run(niced(["nice"]), capture_output=True, text=True, check=True)
    assert int(ran.stdout) == max(NICENESS, os.nice(0))


def test_from_an_already_niced_process_the_niceness_is_not_added_twice():
    script = f"import os, subprocess; from bot.studio.candidate import niced; os.nice({NICENESS}); " \
             "print(subprocess.run(niced(['nice']), capture_output=True, text=True).stdout.strip())"
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert int(ran.stdout) == max(NICENESS, os.nice(0))
