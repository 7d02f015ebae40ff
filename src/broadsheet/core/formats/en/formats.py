# English dates as Broadsheet has always printed them: "March 14, 2026" (Django's own English
# format abbreviates, "Sept. 14, 2026") and "March 14, 2026, 15:40".
DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, H:i"
