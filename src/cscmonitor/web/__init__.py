"""The web app: FastAPI, server-rendered GOV.UK pages and a JSON API over the same services."""
