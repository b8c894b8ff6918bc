module stacyvm.dev/agent

go 1.19
