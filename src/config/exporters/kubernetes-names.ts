// Names Kubernetes accepts, made from tend's (letters, digits, ".", "_", "-", any case).

/** A DNS-1123 label: lower case letters, digits and '-', at most 63 characters. */
export function getKubernetesName(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63);
  return label.replace(/-+$/, '') || 'program';
}

/** A port name (IANA_SVC_NAME): at most 15 characters, with a letter, no "--". */
export function getPortName(name: string): string {
  const label = getKubernetesName(name).replace(/-{2,}/g, '-').slice(0, 15).replace(/-+$/, '');
  return /[a-z]/.test(label) ? label : `port-${label}`.slice(0, 15);
}
