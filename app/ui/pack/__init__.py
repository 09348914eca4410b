"""Collection packs in the window: the teaching point's collecting window, and the central school's
生成采集包 and 合并采集包 dialogs. Every service call goes through app.ui.jobs."""
