# dtrain — the two commands a newcomer needs are `make demo` and `make test`.
SWIFT ?= swift
SWIFT_FLAGS ?=
# e.g. make bench BENCH_ARGS="--quick" or "--sections worker --samples 3"
BENCH_ARGS ?=
ifdef CI
SWIFT_FLAGS += -Xswiftc -warnings-as-errors
endif
NODE := examples/node

.PHONY: all build deps docker image test lint bench demo install clean

all: build

deps:
	@sh $(NODE)/install-deps.sh

docker: deps
	@sh $(NODE)/ensure-docker.sh

image: docker
	@sh $(NODE)/build-image.sh

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

test: deps docker image lint
	$(SWIFT) build $(SWIFT_FLAGS) --build-tests
	$(SWIFT) test $(SWIFT_FLAGS) --skip-build

bench: docker image
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	$(SWIFT) run -c release dtrain-bench $(BENCH_ARGS)

demo: docker image
	$(SWIFT) build $(SWIFT_FLAGS)
	@sh examples/demo.sh

# Puts dtrain on PATH (the systemd unit in examples/node expects /usr/local/bin/dtrain).
PREFIX ?= /usr/local
install: deps
	$(SWIFT) build -c release $(SWIFT_FLAGS) --product dtrain
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 .build/release/dtrain $(DESTDIR)$(PREFIX)/bin/dtrain

clean:
	rm -rf .build .bench
