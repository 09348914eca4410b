"""导出与打印: the bundle export, sign-off forms, printing and the 核验报送包 dialog."""
