"""`python -m kgtool.bench`: see `kgtool.bench.run`."""

import sys

from kgtool.bench.run import main

sys.exit(main())
