import { relative } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import { createPathMapper, getImage, noteImages } from './container.js';
import { applyKeyMappings } from './keys.js';
import { KUBERNETES_KEYS, type KubernetesOut } from './kubernetes-keys.js';
import { getKubernetesName } from './kubernetes-names.js';
import type { ExportConfig, ExportProgram } from './programs.js';
import { renderYaml } from './render-yaml.js';
import { getSelected } from './shared.js';
import type { ExportNote, ExportOptions, ExportResult } from './types.js';

// `tend export kubernetes`: per program a ConfigMap with its env and a Deployment (restart: always)
// or a Job (on-failure, never), in one manifests.yaml for `kubectl apply -f`.

type Manifest = IConfigMap | IDeployment | IJob | IService;

function exportProgram(
  program: ExportProgram,
  config: ExportConfig,
  options: ExportOptions,
  notes: ExportNote[],
  secrets: Map<string, string>,
): Manifest[] {
  const name = getKubernetesName(program.name);
  const note = (option: string, reason: string) => notes.push({ program: program.name, option, reason });
  if (name !== program.name)
    note('name', `Kubernetes names are lower-case letters, digits and "-": "${name}"`);
  const image = getImage(program, options);
  const out: KubernetesOut = {
    container: { name, image },
    pod: {},
    kind: program.spec.restart === 'always' ? 'Deployment' : 'Job',
    workload: {},
    configMap: {},
    secrets: new Map(),
    servicePorts: [],
    image,
    getContainerPath: createPathMapper(config, options),
    note,
  };
  applyKeyMappings(KUBERNETES_KEYS, program, out, config);
  for (const [secret, file] of out.secrets) secrets.set(secret, file);
  const labels = { 'app.kubernetes.io/name': name };
  out.container.envFrom = [
    ...[...out.secrets.keys()].map((secret) => ({ secretRef: { name: secret } })),
    { configMapRef: { name: `${name}-env` } },
  ];
  const configMap: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-env`, labels },
    data: out.configMap,
  };
  const template = { metadata: { labels }, spec: { ...out.pod, containers: [out.container] } };
  const metadata = { name, labels };
  const services: IService[] =
    out.servicePorts.length === 0
      ? []
      : [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata,
            spec: { selector: labels, ports: out.servicePorts },
          },
        ];
  if (out.kind === 'Deployment') {
    const spec = { ...out.workload, selector: { matchLabels: labels }, template };
    return [
      configMap,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec } as IDeployment,
      ...services,
    ];
  }
  return [
    configMap,
    { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: { ...out.workload, template } } as IJob,
    ...services,
  ];
}

export function exportKubernetes(config: ExportConfig, options: ExportOptions): ExportResult {
  const notes: ExportNote[] = [];
  const programs = getSelected(config, options);
  noteImages(programs, options, (reason) => notes.push({ program: null, option: 'image', reason }));
  const secrets = new Map<string, string>();
  const manifests = programs.flatMap((program) => exportProgram(program, config, options, notes, secrets));
  // Secrets are never inlined: each env file becomes a Secret the user creates from the file.
  const secretNotes = [...secrets].map(([name, file]): ExportNote => {
    const reason = `Secret ${name} is referenced, not written: kubectl create secret generic ${name} --from-env-file=${relative(process.cwd(), file)}`;
    return { program: null, option: 'envFile', reason };
  });
  notes.unshift(...secretNotes);
  const header = `exported by \`tend export kubernetes\` from ${options.source}; apply with: kubectl apply -f manifests.yaml`;
  return { files: [{ name: 'manifests.yaml', text: renderYaml(manifests, header, notes) }], notes };
}
