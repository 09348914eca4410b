"""The sub-command parser the command groups share: its own -h and section titles in Chinese."""

from __future__ import annotations


def sub_parser(sub, name: str, common, **kw):
    """A sub-command parser whose own help texts are Chinese too."""
    p = sub.add_parser(name, parents=[common], add_help=False, **kw)
    p.add_argument("-h", "--help", action="help", help="显示帮助并退出")
    p._positionals.title = "参数"
    p._optionals.title = "选项"
    return p
