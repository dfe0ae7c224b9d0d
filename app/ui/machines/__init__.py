"""设备管理: the computers a licence is activated on."""
