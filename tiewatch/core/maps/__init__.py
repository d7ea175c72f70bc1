"""US maps rendered on the server as SVG (no tiles, no CDN, no JavaScript): shapes.py reads the committed
Census boundary tables, render.py draws choropleths and markers; chart.py draws small bar charts."""
