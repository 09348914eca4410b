"""Sign-off forms and notices (签字确认表、公示表、密钥登记表), printed as A4 PDFs in Chinese.

Layers: data.py (database → frozen DTOs in dto.py) and pure renderers (render.py and one
module per form) that turn DTOs into a PDF with reportlab and the embedded Tisheng Sans SC
font. The public entry points live in api.py.
"""
