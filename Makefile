# Thin wrappers; the work is in deploy/*.sh and bench/run.sh.
.PHONY: demo test test-dates bench setup services
demo:
	bash deploy/demo.sh
test:
	bash deploy/test.sh
test-dates:
	bash deploy/test-dates.sh
bench:
	bash bench/run.sh
setup:
	bash deploy/setup.sh test
services:
	bash deploy/services.sh
