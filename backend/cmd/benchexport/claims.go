package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"time"

	"countersign/backend/cmd/internal/benchkit"
	"countersign/backend/internal/platform/principal"
)

// The reviewers work in a second process (this program with -claim-load),
// so that the export's process holds the export alone and its heap is the
// export's. The two talk over the child's stdin and stdout, a line each:
// the parent sends its config, the child answers "ready" once warm; then
// "start" sets the reviewers to work and "stop" stops them, and the child
// answers with the phase's latencies as JSON. EOF ends the child.

type claimConfig struct {
	DB     string
	People []principal.Principal
	Batch  int
	Think  time.Duration
}

// claimResult is a phase's benchkit.ReviewResult on the wire.
type claimResult struct {
	Claims, Decides []time.Duration
	Double          int
	Err             string
}

// claimLoad is the parent's handle on the reviewers' process.
type claimLoad struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startClaimLoad(ctx context.Context, cfg claimConfig) (*claimLoad, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "-claim-load")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &claimLoad{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}
	if err := json.NewEncoder(in).Encode(cfg); err != nil {
		c.close()
		return nil, err
	}
	if line, err := c.out.ReadString('\n'); err != nil || line != "ready\n" {
		c.close()
		return nil, fmt.Errorf("the reviewers' process did not start: %q %v", line, err)
	}
	return c, nil
}

// phase has the reviewers work while fn runs, and returns what their claims
// and decisions took meanwhile.
func (c *claimLoad) phase(fn func() error) (claimResult, error) {
	if _, err := io.WriteString(c.in, "start\n"); err != nil {
		return claimResult{}, err
	}
	ferr := fn()
	if _, err := io.WriteString(c.in, "stop\n"); err != nil {
		return claimResult{}, errors.Join(ferr, err)
	}
	line, err := c.out.ReadBytes('\n')
	if err != nil {
		return claimResult{}, errors.Join(ferr, err)
	}
	var res claimResult
	if err := json.Unmarshal(line, &res); err != nil {
		return res, errors.Join(ferr, err)
	}
	if res.Err != "" {
		err = errors.New("reviewers: " + res.Err)
	}
	return res, errors.Join(ferr, err)
}

func (c *claimLoad) close() error {
	c.in.Close()
	return c.cmd.Wait()
}

// claimLoadMain is the reviewers' process.
func claimLoadMain() error {
	ctx := context.Background()
	in := bufio.NewReader(os.Stdin)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return err
	}
	var cfg claimConfig
	if err := json.Unmarshal(line, &cfg); err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	owner, d, err := benchkit.OpenDB(ctx, cfg.DB)
	if err != nil {
		return err
	}
	owner.Close()
	defer d.Close()
	// a server built now knows the reviewers' roles
	srv, err := benchkit.NewServer(ctx, d, quiet)
	if err != nil {
		return err
	}
	l := benchkit.ReviewLoad{Review: srv.Review, People: cfg.People, Batch: cfg.Batch, Think: cfg.Think}
	if err := l.WarmUp(ctx); err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	reply := func(s []byte) error {
		out.Write(s)
		out.WriteByte('\n')
		return out.Flush()
	}
	if err := reply([]byte("ready")); err != nil {
		return err
	}
	for {
		cmd, err := in.ReadString('\n')
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if cmd != "start\n" {
			return fmt.Errorf("unknown command %q", cmd)
		}
		stop := make(chan struct{})
		done := make(chan benchkit.ReviewResult)
		go func() { done <- l.Run(ctx, stop) }()
		if cmd, err = in.ReadString('\n'); err != nil || cmd != "stop\n" {
			close(stop)
			<-done
			return fmt.Errorf("want stop, got %q %v", cmd, err)
		}
		close(stop)
		r := <-done
		res := claimResult{Claims: r.Claims, Decides: r.Decides, Double: r.Double}
		if r.Err != nil {
			res.Err = r.Err.Error()
		}
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		if err := reply(b); err != nil {
			return err
		}
	}
}
