"""`python -m voice_assist` is the `voice-assist` command."""

import sys

from .cli import main

sys.exit(main())
