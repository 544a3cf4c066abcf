module github.com/vigia-cx/vigia/schemas

go 1.26.0
