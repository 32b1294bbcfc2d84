from ...import_pkg import VERSION
