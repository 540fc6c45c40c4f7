"""The local web app (`rehearse app`): `rehearse.web.app.create_app` and `rehearse.web.server.serve`.

Only front ends import this package; the core never does.
"""
