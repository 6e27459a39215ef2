"""``python -m desktop`` is the ``crosscheck`` command."""

import sys

from desktop.cli import main

sys.exit(main())
