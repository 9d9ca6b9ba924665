// Records the oracle for the template engine and the list formatter: the real docker CLI (28.2)
// runs Go's text/template client-side, so we start a private berthd, make a few containers, and
// run templates through `docker container inspect -f`, `docker image inspect -f`, `docker ps
// --format` and `docker images --format`. Each case keeps the data the CLI saw (the inspect
// body, or the `--format '{{json .}}'` rows) and what it printed.
//
//   node_modules/.bin/node src/cli/format/testdata/record.ts   (as root, after scripts/build.sh)
//
// writes src/cli/format/testdata/template-cases.json. Time-dependent columns (RunningFor,
// Status, CreatedSince) are only recorded when the rows read just before and just after the
// formatted run are identical, so data and output always belong together.
//
// docker inspect runs the template on Go structs, and when that fails, again on the raw JSON
// with missingkey=error; the test runs inspect cases with { missingKey: 'error' } for that reason.
// Cases left out on purpose: values whose printing depends on the Go type rather than the JSON
// (struct values like {{.State}}, nil slices printing as [], pointers inside maps) can't be
// reproduced from JSON data; and docker lists the repositories of one image, or the labels of
// one container, in Go's random map order, so those lists only ever have one entry here.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAYERED_TAR, startDaemonWithBusybox, type Daemon } from '../../../../test/integration/harness.ts';

export interface Case {
  name: string;
  /** inspect: template executed on data[dataKey] then "\n"; list: formatList over data[dataKey]. */
  kind: 'inspect' | 'list';
  dataKey: string;
  template: string;
  /** list cases: which command's defaults and headers. */
  command?: 'ps' | 'images';
  quiet?: boolean;
  stdout: string;
  /** When docker failed: its exit code and stderr. */
  exitCode?: number;
  stderr?: string;
}

const OUT = join(import.meta.dirname, 'template-cases.json');

// Templates run through `docker container inspect -f` on the exited container.
const containerTemplates = [
  '{{.Name}}', '{{.Id}}', '{{.State.Status}}', '{{.State.Running}}', '{{.State.ExitCode}}', '{{.State.Pid}}',
  '{{.State.OOMKilled}}', '{{.Config.Image}}', '{{.Config.Env}}', '{{.Config.Cmd}}', '{{.Config.Labels}}',
  '{{range .Config.Env}}{{.}}|{{end}}', '{{range $i, $e := .Config.Env}}{{$i}}={{$e}};{{end}}',
  '{{range $e := .Config.Cmd}}<{{$e}}>{{end}}', '{{index .Config.Labels "com.example.a"}}',
  '{{index .Config.Labels "missing"}}', '{{.Config.Labels.b}}',
  '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}},{{end}}', '{{json .Config.Labels}}', '{{json .Config.Cmd}}',
  '{{json .Name}}', '{{json .State.ExitCode}}', '{{json .State.Running}}', '{{json .Config.Env}}',
  '{{join .Config.Cmd " "}}', '{{join .Config.Env ","}}', '{{len .Config.Env}}', '{{len .Config.Labels}}', '{{len .Name}}',
  '{{upper .Name}}', '{{lower "ABC def"}}', '{{title "hello world-wide web_x"}}', '{{title .State.Status}}',
  '{{split .Config.Image ":"}}', '{{index (split .Config.Image ":") 0}}', '{{len (split "a,b,,c" ",")}}',
  '{{split "abc" ""}}', '{{join (split "a-b-c" "-") "+"}}',
  '{{printf "%s-%d" .Name .State.ExitCode}}', '{{printf "%5s|%-5s|" "ab" "cd"}}', '{{printf "%q" .Name}}',
  '{{printf "%v" .Config.Labels}}', '{{printf "%x" "hi"}}', '{{printf "%x" 255}}', '{{printf "%X" 255}}',
  '{{printf "%.2f" 3.14159}}', '{{printf "%t" true}}', '{{printf "%5d|%-5d|%05d" 42 42 42}}', '{{printf "%d" "str"}}',
  '{{printf "%s"}}', '{{printf "%s" 1 2}}', '{{printf "%v %v %v" 1.5 true nil}}', '{{printf "%%"}}',
  '{{printf "%6.2f|" 3.14159}}', '{{printf "%-8s|" .State.Status}}', '{{printf "%.3s" "abcdef"}}', '{{printf "%c" 65}}',
  '{{printf "%o %b" 8 5}}', '{{printf "%+d %+d" 5 -5}}', '{{printf "%e" 1234.5678}}', '{{printf "%g" 0.000012}}',
  '{{printf "%v" .Config.Cmd}}', '{{printf "%q" .Config.Cmd}}', '{{printf "%s" .Config.Cmd}}', '{{printf "%d" .State.ExitCode}}',
  '{{println "a" 1}}', '{{print "a" 1 2 "b"}}', '{{print 1 2}}', '{{print "a" "b"}}', '{{println}}',
  '{{pad .Name 2 3}}|', '{{pad "" 2 3}}|', '{{truncate .Id 12}}', '{{truncate "abc" 10}}', '{{truncate "abc" 3}}',
  '{{if .State.Running}}up{{else}}down{{end}}',
  '{{if eq .State.ExitCode 3}}three{{else if eq .State.ExitCode 0}}zero{{else}}other{{end}}',
  '{{if .Config.Labels}}has labels{{end}}', '{{if .Config.Entrypoint}}ep{{else}}no ep{{end}}',
  '{{with .Config.Labels}}{{index . "b"}}{{end}}', '{{with .State.Error}}err={{.}}{{else}}no error{{end}}',
  '{{- /* a comment */ -}} x {{- .Name -}} y', '{{/* only a comment */}}', 'a  {{- "b" -}}  c',
  '{{$n := .Name}}{{$n}}{{$n = "z"}}{{$n}}', '{{range .Mounts}}{{.}}{{else}}no mounts{{end}}',
  '{{.HostConfig.NetworkMode}}', '{{.HostConfig.Memory}}', '{{.HostConfig.ShmSize}}', '{{printf "%d" .HostConfig.ShmSize}}',
  '{{printf "%v" .HostConfig.ShmSize}}', '{{.HostConfig.RestartPolicy.Name}}', '{{.HostConfig.LogConfig.Type}}',
  '{{and .State.Running "x"}}', '{{and "a" "b"}}', '{{or "" "fallback"}}', '{{or 0 ""}}', '{{not .State.Running}}', '{{not ""}}',
  '{{eq .Name "/nope" "/fmt-exit"}}', '{{ne 1 2}}', '{{lt 1 2}}', '{{le 2 2}}', '{{gt "b" "a"}}', '{{ge 1.5 1.5}}',
  '{{eq .State.Status "exited"}}', '{{len "hello"}}', '{{index .Config.Env 0}}', '{{slice .Id 0 5}}', '{{slice "abcdef" 2}}',
  '{{slice .Config.Cmd 1}}', '{{range .Config.Cmd}}{{$.Name}}:{{.}} {{end}}',
  '{{html "<a&b>"}}', '{{js "a\'b"}}', '{{urlquery "a b&c"}}',
  '{{range $k, $v := .Config.Labels}}{{if eq $k "b"}}{{$v}}{{end}}{{end}}', '{{with $x := .Config.Image}}{{$x}}{{end}}',
  '{{.Config.Image | printf "%s!"}}', '{{"ABC" | lower | printf "%q"}}', '{{(index .Config.Env 0) | upper}}',
  '{{true}} {{false}} {{1.5}} {{1e3}} {{0x10}} {{\'a\'}} {{-3}} {{"s"}} {{`raw`}}', '{{3.0}}', '{{1e6}}', '{{.State.ExitCode | printf "%03d"}}',
  '{{range $i, $c := .Config.Cmd}}{{if $i}}, {{end}}{{$c}}{{end}}', '{{range .Config.Cmd}}{{break}}{{end}}x',
  '{{range $i, $c := .Config.Cmd}}{{if eq $i 1}}{{continue}}{{end}}{{$c}};{{end}}',
  '{{range 3}}{{.}}{{end}}', '{{if and .State.Pid (gt .State.Pid 0)}}pid{{else}}nopid{{end}}',
  '{{.Name}}\\t{{.State.Status}}', 'line1\nline2 {{.State.ExitCode}}',
  // errors
  '{{.Name', '{{foo}}', '{{end}}', '{{if}}{{end}}', '{{if .Name}}', '{{index .Config.Env 99}}', '{{.Name.Foo}}',
  '{{range .Name}}{{end}}', '{{len 3}}', '{{printf}}', '{{ $x }}', '{{nil}}', '{{.Missing}}', '{{.Config.Missing}}',
  '{{index .Config.Labels 1}}', '{{"unterminated}}', '{{else}}', '{{range}}{{end}}', '{{.State.Running.X}}',
  '{{template "x"}}', '{{json}}', '{{upper 1}}', '{{join .Name ","}}', '{{eq "a" 1}}', '{{lt true false}}',
  '{{slice .Name 3 1}}', '{{truncate .Name "x"}}',
  // more shapes: lines, trims, nested control, pipelines into functions, JSON of nested objects
  'a\n{{.Nope}}', 'a\nb {{end}}', 'x\n  {{- .Name}}\n{{.State.Status -}}\n  y', '{{with $x := .Name}}{{$x}}{{else}}none{{end}}',
  '{{with .State.Error}}e{{else with .State.Status}}s={{.}}{{else}}none{{end}}', '{{if not .State.Running}}stopped{{end}}',
  '{{if or .State.Running .State.Paused}}active{{else}}inactive{{end}}', '{{index .Config.Env 0 | len}}', '{{.State.ExitCode | eq 3}}',
  '{{json .Config.Labels.html}}', '{{.Config.Labels.uni}}', '{{printf "%q" .Config.Labels.uni}}', '{{len .Config.Labels.uni}}',
  '{{upper .Config.Labels.uni}}', '{{truncate .Config.Labels.uni 3}}', '{{printf "%.3s|%-12s|" .Config.Labels.uni .Config.Labels.uni}}',
  '{{json .State}}', '{{json .HostConfig.LogConfig}}', '{{json .HostConfig.RestartPolicy}}', '{{json .Config.Labels}}',
  '{{printf "%08.3f|%-10v|%#x|%x|% d|%+.1e" 3.14159 "ab" 255 -255 7 12345.678}}', '{{printf "%s %d" (index .Config.Cmd 0) (len .Config.Cmd)}}',
  '{{printf "%v" (slice .Config.Env 1 2)}}', '{{range $i, $e := .Config.Env}}{{if ge $i 1}}{{break}}{{end}}{{$e}}{{end}}',
  '{{range $k, $v := .Config.Labels}}{{$k}}{{end}}{{$k := "after"}}{{$k}}',
  '{{$x := 1}}{{if true}}{{$x = 2}}{{$y := 3}}{{end}}{{$x}}', '{{range .Config.Cmd}}{{.}}{{else}}empty{{end}}',
  '{{- range .Config.Env }}\n{{ . }}\n{{- end }}', '{{define "x"}}y{{end}}', '{{block "x" .}}y{{end}}', '{{.Name | len | printf "%d chars"}}',
  '{{(index .Config.Env 1) | printf "%s!" | upper}}', '{{len .Config.Labels | printf "%03d"}}', '{{printf "%T" .Name}}',
  // a missing field of a struct fails, a missing key of a map prints <no value>
  '{{.Config.Labels.nope}}', '{{.HostConfig.LogConfig.Config.nope}}', '{{.Nope.Deeper}}', '{{.State.Nope}}', '{{.Config.Nope}}',
  '{{.GraphDriver.Data.Nope}}', '{{.HostConfig.Nope}}',
];

// Templates run through `docker container inspect -f` on the created (never started) container.
const createdTemplates = [
  '{{.HostConfig.NanoCpus}}', '{{.HostConfig.Memory}}', '{{printf "%d" .HostConfig.Memory}}', '{{printf "%v" .HostConfig.NanoCpus}}',
  '{{json .HostConfig.Memory}}', '{{.State.StartedAt}}', '{{.State.Status}}', '{{index .Config.Labels "com.example.only-one_x"}}', '{{.Config.Cmd}}',
  '{{gt .HostConfig.Memory 1000}}', '{{eq .HostConfig.Memory 1073741824}}',
];

// Templates run through `docker image inspect -f busybox`.
const imageTemplates = [
  '{{.Id}}', '{{.RepoTags}}', '{{index .RepoTags 0}}', '{{.Os}}/{{.Architecture}}', '{{.Size}}', '{{json .RepoTags}}',
  '{{.Config.Cmd}}', '{{json .RootFS}}', '{{len .RootFS.Layers}}', '{{range .RootFS.Layers}}{{truncate . 19}}{{println}}{{end}}',
  '{{.RootFS.Type | upper}}', '{{printf "%.1f" 2}}', '{{json .RootFS.Layers}}', '{{range $i, $t := .RepoTags}}{{$i}}:{{$t}} {{end}}',
  '{{join .RepoTags ", "}}', '{{with index .RepoTags 1}}{{index (split . ":") 1}}{{end}}',
];

// Formats run through `docker ps -a --format`.
const psFormats = [
  '{{.ID}}', '{{.Names}}', '{{.Image}}\\t{{.Command}}', '{{.Names}}: {{.State}}', 'table {{.ID}}\\t{{.Names}}',
  'table {{.Names}}\\t{{.Image}}\\t{{.Command}}\\t{{.State}}', 'table {{.Names}}: {{.State}}', 'table',
  'table {{.ID}}\\t{{upper .Names}}\\t{{json .Names}}\\t{{lower .State}}', 'table {{pad .Names 1 1}}|{{.State}}',
  'table {{truncate .ID 4}}\\t{{title .State}}', 'table {{.Names}}\\t{{.Networks}}\\t{{.Mounts}}\\t{{.LocalVolumes}}',
  'table {{.Names}}\\t{{.State}}\\t{{.Status}}', '{{json .}}', 'json', '', 'table {{split .Image ":"}}\\t{{.Names}}',
  '{{.Names}}\\t{{.State}}', 'table {{.Command}}\\t{{.Names}}\\t', 'table {{.Names}}\\n', 'table {{join (split .Names "-") "_"}}\\t{{.ID}}',
  '{{if eq .State "running"}}{{.Names}} is up{{else}}{{.Names}} is {{.State}}{{end}}', 'table  {{.Names}}\\t{{.State}}  ',
  'table {{.CreatedAt}}\\t{{.RunningFor}}\\t{{.Names}}', 'table {{.Ports}}\\t{{.Names}}',
];

// Formats run through `docker images --format`.
const imageFormats = [
  '{{.Repository}}:{{.Tag}}', 'table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}', 'table {{.Repository}}\\t{{.Size}}', '',
  '{{json .}}', 'table {{.ID}}\\t{{.Digest}}\\t{{.Containers}}', 'table {{.Repository}}\\t{{.CreatedSince}}\\t{{.Size}}',
];

async function main(): Promise<void> {
  const d = await startDaemonWithBusybox();
  try {
    await must(d, ['run', '--name', 'fmt-exit', '--label', 'com.example.a=1', '--label', 'b=two', '--label', 'html=<a&b>',
      '--label', 'uni=héllo 日本 ✓', '-e', 'FOO=bar', '-e', 'EMPTY=', '-e', 'HTML=<b>&amp;',
      'busybox', 'sh', '-c', 'exit 3'], 3);
    await must(d, ['create', '--name', 'fmt-created', '--label', 'com.example.only-one_x=日本語', '--cpus', '1.5', '--memory', '1g', 'busybox', 'echo', 'a rather long command line here']);
    await must(d, ['run', '-d', '--name', 'fmt-run', 'busybox', 'sleep', '600']);
    // docker lists the repositories of one image in random order, so extra tags stay in one repository
    await must(d, ['tag', 'busybox:latest', 'busybox:a-rather-long-tag-name']);
    await must(d, ['load', '-i', LAYERED_TAR]);

    const data: Record<string, unknown> = {};
    const cases: Case[] = [];
    data.container = (await d.api('GET', '/containers/fmt-exit/json')).json;
    data.image = (await d.api('GET', '/images/busybox:latest/json')).json;
    data.created = (await d.api('GET', '/containers/fmt-created/json')).json;

    for (const template of containerTemplates) {
      const r = await d.docker(['container', 'inspect', '-f', template, 'fmt-exit']);
      cases.push(result({ name: `container inspect ${template}`, kind: 'inspect', dataKey: 'container', template }, r));
    }
    for (const template of createdTemplates) {
      const r = await d.docker(['container', 'inspect', '-f', template, 'fmt-created']);
      cases.push(result({ name: `created container inspect ${template}`, kind: 'inspect', dataKey: 'created', template }, r));
    }
    for (const template of imageTemplates) {
      const r = await d.docker(['image', 'inspect', '-f', template, 'busybox:latest']);
      cases.push(result({ name: `image inspect ${template}`, kind: 'inspect', dataKey: 'image', template }, r));
    }
    await recordList(d, data, cases, 'ps', ['ps', '-a'], psFormats);
    await recordList(d, data, cases, 'images', ['images'], imageFormats);
    // one container only: docker prints a map's labels in random order
    await recordList(d, data, cases, 'ps', ['ps', '-a', '--filter', 'label=com.example.only-one_x'], [
      'table {{.Labels}}\\t{{.Names}}\\t{{.ID}}', '{{.Labels}}|{{.Names}}', 'table {{.ID}}\\t{{.Label "com.example.only-one_x"}}',
      '{{.Label "com.example.only-one_x"}}|{{.Label "nope"}}', 'table {{.Names}}\\t{{.Label}}', '{{.Names.X}}', '{{.Nope}}', '{{.ID',
      'table {{.Names}} {{template "x"}}', '{{upper 1}}', 'table {{.Names}}\\t{{json .}}',
    ], 'ps-label');
    await recordList(d, data, cases, 'images', ['images', 'busybox:latest'], ['{{.Nope}}', '{{.ID', 'table {{.Repository}}\\t{{.Nope}}'], 'images-errors');
    await recordList(d, data, cases, 'ps', ['ps', '-a', '--no-trunc'], ['table {{.ID}}\t{{.Command}}\t{{.Names}}', ''], 'ps-notrunc');

    await writeFile(OUT, JSON.stringify({ recordedWith: (await d.docker(['version', '-f', '{{.Client.Version}}'])).stdout.trim(), data, cases }, null, 1) + '\n');
    console.log(`recorded ${cases.length} cases into ${OUT}`);
  } finally {
    await d.docker(['rm', '-f', 'fmt-exit', 'fmt-created', 'fmt-run']);
    await d.docker(['rmi', 'busybox:a-rather-long-tag-name', 'busybox:layered']);
    await d.cleanup();
  }
}

/** Runs each format for a list command; the rows are read before and after, and must match. */
async function recordList(d: Daemon, data: Record<string, unknown>, cases: Case[], command: 'ps' | 'images', args: string[], formats: string[],
  prefix: string = command): Promise<void> {
  const variants: { template: string; quiet?: boolean }[] = [...formats.map((template) => ({ template })), { template: '', quiet: true }];
  for (const [i, v] of variants.entries()) {
    for (let attempt = 0; ; attempt++) {
      const before = await d.docker([...args, '--format', '{{json .}}']);
      const r = await d.docker([...args, ...(v.quiet ? ['-q'] : []), ...(v.template ? ['--format', v.template] : [])]);
      const after = await d.docker([...args, '--format', '{{json .}}']);
      if (before.stdout !== after.stdout) {
        if (attempt > 20) throw new Error(`rows keep changing for ${v.template}`);
        continue;
      }
      const key = `${prefix}-${i}`;
      data[key] = before.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      cases.push(result({ name: `${args.join(' ')} ${v.quiet ? '-q' : `--format ${JSON.stringify(v.template)}`}`, kind: 'list', command, dataKey: key,
        template: v.template, ...(v.quiet ? { quiet: true } : {}) }, r));
      break;
    }
  }
}

function result(c: Omit<Case, 'stdout'>, r: { code: number; stdout: string; stderr: string }): Case {
  return { ...c, stdout: r.stdout, ...(r.code !== 0 ? { exitCode: r.code, stderr: r.stderr } : {}) };
}

async function must(d: Daemon, args: string[], okCode = 0): Promise<void> {
  const r = await d.docker(args);
  if (r.code !== okCode) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
}

await main();
