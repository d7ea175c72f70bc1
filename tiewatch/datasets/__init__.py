"""External datasets (the DLA's 1033 program files, SIPRI's trade registers ...) read into the
registry as sourced ties. One folder per dataset: its metadata YAML, its reader and its mapping."""
