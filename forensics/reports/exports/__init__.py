"""Interchange exports of a case: VICS 2.0, CASE/UCO 1.4, DFXML, CSV, KML and GeoJSON."""
