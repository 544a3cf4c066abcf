package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestComposeFile loads docker-compose.yml and holds it to the code: the
// services it promises exist, and every VIGIA_ variable it sets is one the
// binary it configures really reads (a typo would be silently ignored).
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Image       string         `yaml:"image"`
			Command     []string       `yaml:"command"`
			Environment map[string]any `yaml:"environment"`
			Build       struct {
				Args map[string]string `yaml:"args"`
			} `yaml:"build"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, want := range []string{"nats", "clickhouse", "migrate", "enricher", "classifier", "detector", "writer"} {
		if _, ok := doc.Services[want]; !ok {
			t.Errorf("service %s missing", want)
		}
	}
	if !strings.Contains(strings.Join(doc.Services["nats"].Command, " "), "--jetstream") {
		t.Error("nats must run with JetStream enabled")
	}
	known := map[string]map[string]bool{}
	envName := regexp.MustCompile(`VIGIA_[A-Z0-9_]+`)
	for name, svc := range doc.Services {
		bin := svc.Build.Args["SERVICE"]
		if bin == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(binDir, bin)); err != nil {
			t.Errorf("service %s builds %q, which is not a vigia binary", name, bin)
			continue
		}
		if known[bin] == nil {
			args := append(append([]string{}, svc.Command...), "--help")
			out, _ := exec.Command(filepath.Join(binDir, bin), args...).CombinedOutput()
			known[bin] = map[string]bool{}
			for _, v := range envName.FindAllString(string(out), -1) {
				known[bin][v] = true
			}
		}
		for v := range svc.Environment {
			if strings.HasPrefix(v, "VIGIA_") && !known[bin][v] {
				t.Errorf("service %s sets %s, which %s does not read", name, v, bin)
			}
		}
	}
}
