"""The frozen bundle's one executable: every Wise process (tray, command line, model
worker) starts here and `ui.launcher.main` tells which from the arguments."""

import sys

from ui.launcher import main

sys.exit(main())
