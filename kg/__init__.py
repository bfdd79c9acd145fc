"""medkg: a knowledge graph of medical-AI research.

The pipeline is read → parse → link → map → store; the CLI (:mod:`kg.cli`) is a thin layer on top.

>>> from kg.parse import parse_header
>>> parse_header("论文ICLR 2026 Poster2026 年trustworthy medical AI LiveClin:无泄漏的实时临床基准").name
'LiveClin'
"""

__version__ = "0.1.0"
