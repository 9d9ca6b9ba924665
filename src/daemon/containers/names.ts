// Container names as Docker has them: the validation pattern, the adjective_surname generator
// (moby pkg/namesgenerator) and the name → ID reservation table with Docker's conflict text.
// Names are stored in Docker's canonical form with a leading "/"; every method accepts either.
import { randomInt } from 'node:crypto';
import { conflict, invalidParameter, notFound, shortId } from '../../common/index.ts';

const VALID_NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** Far above any real name; keeps hostile input out of maps and error messages. */
const MAX_NAME_LENGTH = 255;

/** Throws Docker's invalidParameter error unless `name` (optionally "/"-prefixed) is valid. */
export function validateContainerName(name: string): void {
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH + 1 || !VALID_NAME.test(name)) {
    const shown = typeof name === 'string' ? name.slice(0, MAX_NAME_LENGTH + 1) : String(name);
    throw invalidParameter(`Invalid container name (${shown}), only ${VALID_NAME_CHARS} are allowed`);
  }
}

/** "/foo" for "foo" or "/foo". */
export function canonicalName(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

// Docker, starting from 0.7.x, generates names from notable scientists and hackers.
const LEFT = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful',
  'blissful', 'bold', 'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent',
  'condescending', 'confident', 'cool', 'cranky', 'crazy', 'dazzling', 'determined', 'distracted',
  'dreamy', 'eager', 'ecstatic', 'elastic', 'elated', 'elegant', 'eloquent', 'epic', 'exciting',
  'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty', 'funny', 'gallant', 'gifted',
  'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry', 'infallible',
  'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving',
  'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty',
  'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless',
  'quirky', 'quizzical', 'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp',
  'silly', 'sleepy', 'stoic', 'strange', 'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty',
  'trusting', 'unruffled', 'upbeat', 'vibrant', 'vigilant', 'vigorous', 'wizardly', 'wonderful',
  'xenodochial', 'youthful', 'zealous', 'zen',
] as const;

const RIGHT = [
  'agnesi', 'albattani', 'allen', 'almeida', 'antonelli', 'archimedes', 'ardinghelli', 'aryabhata',
  'austin', 'babbage', 'banach', 'banzai', 'bardeen', 'bartik', 'bassi', 'beaver', 'bell', 'benz',
  'bhabha', 'bhaskara', 'black', 'blackburn', 'blackwell', 'bohr', 'booth', 'borg', 'bose', 'bouman',
  'boyd', 'brahmagupta', 'brattain', 'brown', 'buck', 'burnell', 'cannon', 'carson', 'cartwright',
  'carver', 'cerf', 'chandrasekhar', 'chaplygin', 'chatelet', 'chatterjee', 'chaum', 'chebyshev',
  'clarke', 'cohen', 'colden', 'cori', 'cray', 'curie', 'curran', 'darwin', 'davinci', 'dewdney',
  'dhawan', 'diffie', 'dijkstra', 'dirac', 'driscoll', 'dubinsky', 'easley', 'edison', 'einstein',
  'elbakyan', 'elgamal', 'elion', 'ellis', 'engelbart', 'euclid', 'euler', 'faraday', 'feistel',
  'fermat', 'fermi', 'feynman', 'franklin', 'gagarin', 'galileo', 'galois', 'ganguly', 'gates',
  'gauss', 'germain', 'goldberg', 'goldstine', 'goldwasser', 'golick', 'goodall', 'gould', 'greider',
  'grothendieck', 'haibt', 'hamilton', 'haslett', 'hawking', 'heisenberg', 'hellman', 'hermann',
  'herschel', 'hertz', 'heyrovsky', 'hodgkin', 'hofstadter', 'hoover', 'hopper', 'hugle', 'hypatia',
  'ishizaka', 'jackson', 'jang', 'jemison', 'jennings', 'jepsen', 'johnson', 'joliot', 'jones',
  'kalam', 'kapitsa', 'kare', 'keldysh', 'keller', 'kepler', 'khayyam', 'khorana', 'kilby', 'kirch',
  'knuth', 'kowalevski', 'lalande', 'lamarr', 'lamport', 'leakey', 'leavitt', 'lederberg', 'lehmann',
  'lewin', 'lichterman', 'liskov', 'lovelace', 'lumiere', 'mahavira', 'margulis', 'matsumoto',
  'maxwell', 'mayer', 'mccarthy', 'mcclintock', 'mclaren', 'mclean', 'mcnulty', 'meitner', 'mendel',
  'mendeleev', 'meninsky', 'merkle', 'mestorf', 'mirzakhani', 'montalcini', 'moore', 'morse', 'moser',
  'murdock', 'napier', 'nash', 'neumann', 'newton', 'nightingale', 'nobel', 'noether', 'northcutt',
  'noyce', 'panini', 'pare', 'pascal', 'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'poitras',
  'proskuriakova', 'ptolemy', 'raman', 'ramanujan', 'rhodes', 'ride', 'ritchie', 'robinson',
  'roentgen', 'rosalind', 'rubin', 'saha', 'sammet', 'sanderson', 'satoshi', 'shamir', 'shannon',
  'shaw', 'shirley', 'shockley', 'shtern', 'sinoussi', 'snyder', 'solomon', 'spence', 'stonebraker',
  'sutherland', 'swanson', 'swartz', 'swirles', 'taussig', 'tesla', 'tharp', 'thompson', 'torvalds',
  'tu', 'turing', 'varahamihira', 'vaughan', 'villani', 'visvesvaraya', 'volhard', 'wescoff',
  'wilbur', 'wiles', 'williams', 'williamson', 'wilson', 'wing', 'wozniak', 'wright', 'wu', 'yalow',
  'yonath', 'zhukovsky',
] as const;

/** The generator's word lists, for tests and diagnostics. */
export const nameWords = { left: LEFT as readonly string[], right: RIGHT as readonly string[] };

/** namesgenerator.GetRandomName: adjective_surname, plus a random digit when retrying. */
export function randomName(retry: number): string {
  let name: string;
  do {
    name = `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
  } while (name === 'boring_wozniak'); // Steve Wozniak is not boring
  return retry > 0 ? `${name}${randomInt(10)}` : name;
}

/**
 * A free generated name (without the leading "/"). Like Docker: up to 6 attempts, the later
 * ones with a digit appended; then the short form of `fallbackId` if given (Docker uses the
 * container's short ID), else more attempts with more digits before giving up.
 */
export function generateName(taken: (name: string) => boolean, fallbackId?: string): string {
  for (let i = 0; i < 6; i++) {
    const name = randomName(i);
    if (!taken(name)) return name;
  }
  if (fallbackId) {
    const short = shortId(fallbackId);
    if (!taken(short)) return short;
  }
  for (let i = 0; i < 1000; i++) {
    const name = `${randomName(1)}${randomInt(1_000_000)}`;
    if (!taken(name)) return name;
  }
  throw conflict('could not generate a free container name');
}

/** name → container ID, Docker's reservation table (container/view.go ReserveName). */
export class NameRegistry {
  readonly #byName = new Map<string, string>();

  /** Reserves `name` for `id`; idempotent for the same ID, Docker's conflict error otherwise. */
  reserve(name: string, id: string): void {
    const key = canonicalName(name);
    const owner = this.#byName.get(key);
    if (owner !== undefined && owner !== id) {
      throw conflict(
        `Conflict. The container name "${key}" is already in use by container "${owner}". ` +
        'You have to remove (or rename) that container to be able to reuse that name.',
      );
    }
    this.#byName.set(key, id);
  }

  /** Frees `name`; a name that is not reserved is ignored, as Docker does. */
  release(name: string): void {
    this.#byName.delete(canonicalName(name));
  }

  /** Frees every name held by `id` (container removal). */
  releaseAll(id: string): void {
    for (const [name, owner] of this.#byName) if (owner === id) this.#byName.delete(name);
  }

  /** Moves the owner of `oldName` to `newName`; the old name stays if the new one conflicts. */
  rename(oldName: string, newName: string): void {
    const from = canonicalName(oldName);
    const id = this.#byName.get(from);
    if (id === undefined) throw notFound(`No such container: ${oldName}`);
    this.reserve(newName, id);
    if (canonicalName(newName) !== from) this.#byName.delete(from);
  }

  lookup(name: string): string | undefined {
    return this.#byName.get(canonicalName(name));
  }

  /** Names held by `id`, canonical form. */
  namesOf(id: string): string[] {
    return [...this.#byName].filter(([, owner]) => owner === id).map(([name]) => name);
  }

  /** Every reservation, name → ID. */
  all(): Map<string, string> {
    return new Map(this.#byName);
  }
}
