"""Comparative analytics for Chinese inspection-rectification notices (巡察整改情况通报).

Stages, one module each: ingest → normalize → metadata/parse → extract → segment →
warehouse → compare → plots; ``cli`` is a thin layer over them.
"""

__version__ = "0.1.0"
