"""Dates in a form nobody can misread, per language (docs/decisions.md §27).

Trainees, experts and donors read dates across borders: "05/06/2016" is May in one ministry and
June in the next. Every page shows the day, the month's name and the full year, and times on the
24-hour clock; the ISO form stays for the API, exports and ``<time datetime>``.
"""
