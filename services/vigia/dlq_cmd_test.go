package main

import (
	"reflect"
	"sort"
	"testing"
)

func TestParseSeqs(t *testing.T) {
	cases := map[string][]uint64{
		"":         nil,
		"7":        {7},
		"3;7;12":   {3, 7, 12},
		"3,7":      {3, 7},
		"3-6":      {3, 4, 5, 6},
		"1-2;9;12": {1, 2, 9, 12},
	}
	for in, want := range cases {
		got, err := parseSeqs(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		var keys []uint64
		for k := range got {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		if !reflect.DeepEqual(keys, want) {
			t.Errorf("%q: got %v, want %v", in, keys, want)
		}
	}
	for _, bad := range []string{"x", "5-3", "1-", "-4", "1-99999999"} {
		if _, err := parseSeqs(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestClipKeepsRunes(t *testing.T) {
	// Byte 1 is inside "á": the cut moves back to a rune boundary.
	if got := clip("área\nfacturación", 1); got != "…" {
		t.Errorf("clip = %q", got)
	}
	if got := clip("área\nfacturación", 3); got != "ár…" {
		t.Errorf("clip = %q", got)
	}
	if got := clip("corto", 10); got != "corto" {
		t.Errorf("clip = %q", got)
	}
}
