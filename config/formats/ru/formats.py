# 24 мая 2016 · 24 мая 2016, 16:05 (the genitive month after the day; no "г." suffix)
DATE_FORMAT = "j E Y"
SHORT_DATE_FORMAT = "j E Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATETIME_FORMAT = "j E Y, H:i"
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "F Y"
