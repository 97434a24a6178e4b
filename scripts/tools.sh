# Test-only npm tools (sourced): installs tests/tools once (npm ci, pinned
# by its package-lock.json), and Node.js if the machine has none.
tools_ready() {
	tools=$ROOT/tests/tools
	if ! command -v npm >/dev/null 2>&1; then
		PACKAGES="nodejs npm"
		need_packages
	fi
	if [ ! -d "$tools/node_modules/playwright-core" ] || [ ! -d "$tools/node_modules/axe-core" ] ||
	    [ ! -x "$tools/node_modules/.bin/redocly" ] ||
	    [ ! -x "$tools/node_modules/.bin/prism" ]; then
		log "installing test tools (npm ci in tests/tools)"
		npm ci --prefix "$tools" --no-audit --no-fund >/dev/null
	fi
}
