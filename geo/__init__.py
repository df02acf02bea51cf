"""Geographic core of foxbat76: catalog, places, geodesy, time, basemap, map rendering, export."""
