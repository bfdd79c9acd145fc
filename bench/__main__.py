"""``python -m bench``: run the benchmark suite and print the table (see :mod:`bench.run`)."""

import sys

from bench.run import main

sys.exit(main())
