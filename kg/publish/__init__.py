"""``kg publish``: a static linked-data site (see :mod:`kg.publish.site`)."""

from kg.publish.site import PublishError, PublishReport, publish

__all__ = ["PublishError", "PublishReport", "publish"]
