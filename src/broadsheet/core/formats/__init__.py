"""Broadsheet's own date formats (FORMAT_MODULE_PATH), where Django's locale's differ from what
the site has always printed (decision 0115). Every other language uses Django's formats."""
