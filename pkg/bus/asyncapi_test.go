package bus

import (
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/vigia-cx/vigia/schemas"
)

// TestAsyncAPIAgreesWithStreams holds the published description of subjects
// to the streams the code creates: every stream and bucket is documented,
// every stream subject is a documented channel, and every documented channel
// is stored by some stream.
func TestAsyncAPIAgreesWithStreams(t *testing.T) {
	var doc struct {
		Info struct {
			Description string `yaml:"description"`
		} `yaml:"info"`
		Channels map[string]struct {
			Address string `yaml:"address"`
		} `yaml:"channels"`
	}
	if err := yaml.Unmarshal(schemas.AsyncAPI, &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[a-z]+\}`)
	var prefixes []string
	for name, ch := range doc.Channels {
		if ch.Address == "" {
			t.Errorf("channel %s has no address", name)
			continue
		}
		prefixes = append(prefixes, strings.SplitN(param.ReplaceAllString(ch.Address, "*"), "*", 2)[0])
	}
	for _, sc := range Streams(Topology{}) {
		if !strings.Contains(doc.Info.Description, sc.Name) {
			t.Errorf("stream %s is not described in asyncapi.yaml", sc.Name)
		}
		for _, subj := range sc.Subjects {
			p := strings.TrimSuffix(subj, ">")
			found := false
			for _, cp := range prefixes {
				if strings.HasPrefix(cp, p) {
					found = true
				}
			}
			if !found {
				t.Errorf("subject %s of %s has no channel in asyncapi.yaml", subj, sc.Name)
			}
		}
	}
	for _, cp := range prefixes {
		stored := false
		for _, sc := range Streams(Topology{}) {
			for _, subj := range sc.Subjects {
				if strings.HasPrefix(cp, strings.TrimSuffix(subj, ">")) {
					stored = true
				}
			}
		}
		if !stored {
			t.Errorf("channel %s* is stored by no stream", cp)
		}
	}
	for _, b := range Buckets(Topology{}) {
		if !strings.Contains(doc.Info.Description, b.Bucket) {
			t.Errorf("bucket %s is not described in asyncapi.yaml", b.Bucket)
		}
	}
}
