"""Running the dealer group from its own screens: stores, staff, the day's roster, the
record of changes, and the first run of an empty database."""
