# 24 أيار 2016 · 24 أيار 2016، 16:05 — the month names of Iraq and the Levant (كانون الثاني …
# كانون الأول) come from the project's Arabic catalogue, which overrides Django's Egyptian ones.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATETIME_FORMAT = "j F Y، H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
