/**
 * What seeded people and tenants are called: common first and family names, and company words,
 * picked by the row's number so the same number always gives the same person (the SQL and the
 * Node side agree, see seededUsername). No list length divides another's multiplier, so names
 * combine into many distinct pairs.
 */
export const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sophia', 'Elijah', 'Charlotte', 'James',
  'Ava', 'Lucas', 'Isabella', 'Mateo', 'Mia', 'Theo', 'Harper', 'Leo', 'Evelyn', 'Jack',
  'Luna', 'Ezra', 'Aria', 'Levi', 'Nora', 'Hugo', 'Chloe', 'Omar', 'Priya', 'Arjun',
  'Fatima', 'Yusuf', 'Mei', 'Hiroshi', 'Ingrid', 'Sven', 'Lucia', 'Diego', 'Aisha', 'Kwame',
  'Zoe', 'Felix', 'Hannah', 'Samuel', 'Grace', 'Daniel', 'Ruby', 'David', 'Alice', 'Peter',
  'Sara', 'Tomas', 'Elena', 'Ivan', 'Nadia',
] as const;

export const FAMILY_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Patel', 'Kim', 'Schmidt', 'Muller', 'Kowalski', 'Novak', 'Rossi', 'Dubois', 'Silva', 'Okafor',
  'Tanaka', 'Haddad', 'Larsen', 'Ivanova', 'Cohen', 'Murphy', 'Kelly',
] as const;

export const COMPANY_WORDS = [
  'Northwind', 'Bluebird', 'Summit', 'Harbor', 'Cedar', 'Granite', 'Riverside', 'Lakeshore', 'Pioneer', 'Evergreen',
  'Keystone', 'Beacon', 'Meadow', 'Ironwood', 'Silverline', 'Oakridge', 'Brightwater', 'Redrock', 'Clearview', 'Westgate',
] as const;

export const COMPANY_KINDS = ['Plumbing', 'Dental Clinic', 'Electric', 'Heating & Cooling', 'Family Practice', 'Pest Control', 'Physiotherapy', 'Roofing', 'Veterinary Clinic', 'Landscaping', 'Eye Care', 'Locksmiths', 'Home Care'] as const;

// Multipliers coprime with the list lengths, so consecutive numbers walk through every name.
export const FIRST_STEP = 7;
export const FAMILY_STEP = 13;

/** The username of seeded user `n`: letters, a dot, an underscore before the number (see skeletonSql). */
export function seededUsername(n: number): string {
  const first = FIRST_NAMES[(n * FIRST_STEP) % FIRST_NAMES.length]!;
  const family = FAMILY_NAMES[(n * FAMILY_STEP) % FAMILY_NAMES.length]!;
  return `${first}.${family}_${n}`.toLowerCase();
}
