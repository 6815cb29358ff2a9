"""The top layer: pages that show the work of several apps at once (the dashboards, the course
list and the course page) and the demo programme. Nothing below imports it."""
