"""`python -m scoring.cli`: the jixiao command."""

import sys

from scoring.cli.entry import main

sys.exit(main())
