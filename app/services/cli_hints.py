"""Command-line hints shared by several services (AppError.cli_hint; the window never shows them).

A service message must read right in the window too, so it never names a command or a
flag; what to type goes here, and the CLI prints it after the message.
"""

NO_SCHOOL = "尚未设置学校。请先在软件中完成初始设置。"
INIT_HINT = "设置学校：tisheng init --name 学校名称 --code 学校代码 --environment 环境 --programme 方案编号"
OTHER_FOLDER_HINT = "用 --data-dir 指定另一个（空的）数据文件夹。"
