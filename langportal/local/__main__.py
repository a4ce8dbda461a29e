import sys

from langportal.local.runner import main

sys.exit(main())
