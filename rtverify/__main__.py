import sys

from rtverify.cli import main

sys.exit(main())
