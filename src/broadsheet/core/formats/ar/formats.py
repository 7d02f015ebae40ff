# Django's Arabic formats have no DATETIME_FORMAT (its fallback is the English "N j, Y, P").
DATETIME_FORMAT = "j F، Y، H:i"
