"""The crisis screen and the fixed, reviewed texts of the safety path."""
