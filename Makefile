SHELL := /bin/bash
.DEFAULT_GOAL := help

help: ## Cette aide
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## Installe tout (paquets apt, .venv, pip, npm), sans refaire ce qui est fait
	bash scripts/setup.sh

run: ## Lance le catalogue sur http://127.0.0.1:8000 avec les fiches d’exemple (PostgreSQL du projet dans .pgdata/)
	bash scripts/run.sh

serve: ## Sert le catalogue comme en production (DEBUG off, gunicorn, fichiers statiques compressés)
	bash scripts/serve.sh

test: ## Toute la suite : ruff, makemigrations --check, pytest (en parallèle, puis les tests serial) sur un PostgreSQL 15 jetable
	bash scripts/test.sh

quality: setup ## Lint, format, migrations manquantes
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/python manage.py makemigrations --check --dry-run

fix: setup ## Corrige le format et ce que ruff sait corriger
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

.PHONY: help setup run serve test quality fix
