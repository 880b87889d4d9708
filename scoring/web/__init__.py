"""The reviewer web page (``jixiao serve``): FastAPI, Jinja2 and htmx, on 127.0.0.1."""
